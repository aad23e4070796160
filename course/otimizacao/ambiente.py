"""O processo pronto para o TensorFlow: o Keras do curso e as mensagens internas fora do ecrã.

Um só sítio para as duas coisas que cada caderno TensorFlow faz antes de ``import tensorflow``
(``preparar_tensorflow``), e para calar as mensagens informativas do C++ durante um bloco
(``mensagens_filtradas``, usado por ``conversao.sem_mensagens_internas``).

Porque é que é um filtro escrito aqui e não uma variável de ambiente: o
``TF_CPP_MIN_LOG_LEVEL=3`` não cala as linhas escritas antes de o absl arrancar (``cudart_stub``),
nem as do conversor TFLite (``fully_quantize: 0, ...``) e do interpretador (``Created TensorFlow
Lite XNNPACK delegate``), que vão direitas ao descritor 2 do processo. Mandar o descritor 2 para
``/dev/null`` calava-as, mas também escondia as mensagens de um erro a sério. O filtro deixa
passar tudo o que não reconhece.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import select
import sys
import threading

# As linhas informativas conhecidas (medidas com o TensorFlow 2.21 em Linux e macOS).
RUIDO = re.compile(
    rb"^(?:"
    rb"WARNING: All log messages before absl::InitializeLog\(\) is called"
    rb"|I\d{4} [\d:. ]+\d+ \S+\.cc:\d+\]"  # linhas INFO do absl: «I0000 00:00:… x.cc:31] …»
    rb"|fully_quantize: \d"
    rb"|INFO: Created TensorFlow Lite XNNPACK delegate"
    rb"|INFO: Initialized TensorFlow Lite runtime"
    rb"|Estimated count of arithmetic ops"
    rb"|.*(?:cudart_stub|Could not find cuda drivers|Unable to register cu(?:DNN|FFT|BLAS) factory"
    rb"|TF-TRT Warning|oneDNN custom operations are on|This TensorFlow binary is optimized)"
    rb")"
)

_ESPERA_S = 0.2  # uma linha sem «\n» sai ao fim deste tempo sem mais texto
_permanente: _Filtro | None = None


def e_ruido(linha: bytes) -> bool:
    """Se ``linha`` é uma das mensagens informativas conhecidas do C++ do TensorFlow."""
    return bool(RUIDO.match(linha.strip()))


class _Filtro:
    """Põe um tubo no descritor 2; uma thread lê-o e escreve no destino original só as linhas
    que não são ruído."""

    def __init__(self):
        self.destino = os.dup(2)
        leitura, escrita = os.pipe()
        self.leitura = leitura
        os.dup2(escrita, 2)
        os.close(escrita)
        self.thread = threading.Thread(target=self._encaminhar, name="filtro-stderr-tf", daemon=True)
        self.thread.start()

    def _escrever(self, dados: bytes) -> None:
        while dados:
            try:
                dados = dados[os.write(self.destino, dados):]
            except OSError:
                return

    def _passar(self, linhas: list[bytes]) -> None:
        self._escrever(b"".join(linha for linha in linhas if not e_ruido(linha)))

    def _encaminhar(self) -> None:
        resto = b""
        while True:
            pronto, _, _ = select.select([self.leitura], [], [], _ESPERA_S)
            if not pronto:
                if resto:
                    self._passar([resto])
                    resto = b""
                continue
            try:
                bloco = os.read(self.leitura, 65536)
            except OSError:
                bloco = b""
            if not bloco:  # o tubo fechou
                if resto:
                    self._passar([resto])
                break
            partes = (resto + bloco).split(b"\n")
            resto = partes.pop()
            self._passar([parte + b"\n" for parte in partes])
        os.close(self.leitura)

    def fechar(self) -> None:
        """Devolve o descritor 2 ao destino original e espera que o que ficou no tubo saia."""
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(self.destino, 2)  # fecha a última ponta de escrita do tubo: a thread acaba
        self.thread.join(timeout=5)
        os.close(self.destino)


def filtrar_mensagens_internas() -> bool:
    """Liga, até o processo acabar, o filtro das mensagens informativas do C++ do TensorFlow no
    descritor 2 (as outras linhas, como as de um erro, passam). Idempotente: devolve ``True``
    quando o ligou agora. Apresentado no caderno 01_ptq_tflite."""
    global _permanente
    if _permanente is not None:
        return False
    try:
        _permanente = _Filtro()
    except OSError:  # sem descritor 2 (processo sem stderr): nada a filtrar
        return False
    # A thread do filtro é daemon: no fim do processo morre com o que ainda está no tubo (o
    # traceback de um script que falha, por exemplo). Despejá-la antes de sair.
    atexit.register(_permanente.fechar)
    return True


@contextlib.contextmanager
def mensagens_filtradas():
    """Durante o bloco, as mensagens informativas do C++ do TensorFlow não chegam ao ecrã (o
    resto passa). Se o filtro permanente já está ligado, não faz nada. Apresentado no caderno
    05_poda_e_quantizacao (via ``conversao.sem_mensagens_internas``)."""
    if _permanente is not None:
        yield
        return
    try:
        filtro = _Filtro()
    except OSError:
        yield
        return
    try:
        yield
    finally:
        filtro.fechar()


AVISO_M1 = "runs slowly on M1/M2 Macs"  # o aviso do tf_keras a cada otimizador criado num Mac M1/M2


class _AvisoM1UmaVez:
    """Filtro do logger ``absl``: o aviso do tf_keras «…runs slowly on M1/M2 Macs…», que ele
    repete em cada otimizador criado (os cadernos criam dezenas), aparece uma só vez e em pt-PT;
    tudo o resto passa como está."""

    def __init__(self):
        self.mostrado = False

    def filter(self, registo) -> bool:
        if AVISO_M1 not in str(registo.getMessage()):
            return True
        if self.mostrado:
            return False
        self.mostrado = True
        registo.msg = ("Num Mac M1/M2, o tf_keras diz que os otimizadores novos (v2.11+) são mais lentos do que "
                       "os «legacy». Os modelos do curso são pequenos: a diferença não se nota e o curso usa os "
                       "mesmos otimizadores em todo o lado (este aviso só aparece uma vez).")
        registo.args = ()
        return True


_FILTRO_M1 = _AvisoM1UmaVez()


def filtrar_aviso_m1() -> None:
    """Liga ``_AvisoM1UmaVez`` no logger ``absl`` (uma só vez por processo). Apresentado no
    caderno 01_ptq_tflite, com ``preparar_tensorflow``."""
    import logging

    registo = logging.getLogger("absl")
    if _FILTRO_M1 not in registo.filters:
        registo.addFilter(_FILTRO_M1)


def preparar_tensorflow() -> None:
    """Chama-se antes de ``import tensorflow``: o ``tf.keras`` passa a ser o Keras 2
    (``tf_keras``), o único com que o tfmot funciona (caderno 03_qat), o TensorFlow só mostra
    erros, o filtro das mensagens informativas do C++ fica ligado e o aviso do tf_keras sobre
    os otimizadores num Mac M1 aparece uma só vez (``filtrar_aviso_m1``). Apresentado no caderno
    01_ptq_tflite."""
    ja_importado = "tensorflow" in sys.modules and os.environ.get("TF_USE_LEGACY_KERAS") != "1"
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    filtrar_mensagens_internas()
    filtrar_aviso_m1()
    if ja_importado:
        print(
            "Atenção: o TensorFlow já tinha sido importado neste kernel sem o Keras 2; o "
            "tf.keras pode ser o Keras 3. Reinicia o kernel (Kernel › Restart Kernel) e corre "
            "esta célula antes de qualquer outra.",
            file=sys.stderr,
        )
